// wsbench-client as scripts use it: pipe mode against the real wsbench-echo-server (stdin lines
// out, received messages on stdout, notes on stderr), every flag, and every bad case (a silent
// server, a vanishing peer, invalid UTF-8, an oversized message, a refused handshake) with its
// note and exit code, the bad servers scripted with FakeServer. The terminal session is in
// client_terminal_test.cpp.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "fake_server.hpp"
#include "scratch_dir.hpp"
#include "tls_cert.hpp"
#include "tool_process.hpp"
#include "wsbench/close.hpp"
#include "wsbench/frame.hpp"
#include "wsbench/frame_parser.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

struct Shell {
    std::optional<int> exit_code;
    std::string out;
    std::string err;
};

// Runs `command` with /bin/sh, "$CLIENT" being the built wsbench-client, to completion.
Shell sh(const std::string& command, std::chrono::milliseconds timeout = 20s) {
    Process p({"/bin/sh", "-c", "CLIENT='" + tool_path("wsbench-client") + "'; " + command});
    Shell r;
    if (!p.read_stdout_to_eof(timeout)) ADD_FAILURE() << "still running: " << command;
    r.exit_code = p.wait(timeout);
    r.out = p.stdout_text();
    r.err = p.stderr_text();
    return r;
}

// One unmasked frame from the server (RFC 6455 §5.1).
std::string server_frame(Opcode op, const std::string& payload) {
    FrameHeader h;
    h.opcode = op;
    std::string out(kMaxFrameHeaderSize + payload.size(), '\0');
    const std::size_t n = encode_frame(h, payload.data(), payload.size(),
                                       reinterpret_cast<std::uint8_t*>(out.data()), out.size());
    out.resize(n);
    return out;
}

std::string close_frame(std::uint16_t code, const std::string& reason = {}) {
    std::array<std::uint8_t, kMaxClosePayload> body{};
    const std::size_t n = format_close_payload(code, reason, body.data(), body.size());
    return server_frame(Opcode::close, std::string(reinterpret_cast<char*>(body.data()), n));
}

// The next frame the client sends (masked), as {opcode, unmasked payload}; op continuation
// when none arrives.
std::pair<Opcode, std::string> read_client_frame(FakeConnection& c) {
    FrameParser parser;  // server role: client frames must be masked
    std::string pending;
    std::string payload;
    for (int reads = 0; reads < 50; ++reads) {
        const std::string more = c.read_some();
        if (more.empty()) break;
        pending += more;
        std::size_t pos = 0;
        while (pos < pending.size()) {
            FrameEvent ev;
            pos += parser.parse(reinterpret_cast<std::uint8_t*>(&pending[pos]),
                                pending.size() - pos, ev);
            if (ev.kind == FrameEvent::Kind::error) return {Opcode::continuation, {}};
            if (ev.kind != FrameEvent::Kind::payload) break;
            payload.append(reinterpret_cast<const char*>(ev.data), ev.size);
            if (ev.frame_end) return {ev.header.opcode, payload};
        }
        pending.erase(0, pos);
    }
    return {Opcode::continuation, {}};
}

std::uint16_t close_code_of(const std::string& payload) {
    if (payload.size() < 2) return 0;
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                      static_cast<std::uint8_t>(payload[1]));
}

// Waits for the client's close frame and answers it with the same code (RFC 6455 §5.5.1).
void answer_close(FakeConnection& c) {
    const auto frame = read_client_frame(c);
    if (frame.first == Opcode::close) c.send(close_frame(close_code_of(frame.second)));
}

class ClientPipe : public ::testing::Test {
  protected:
    void SetUp() override {
        server_ = std::make_unique<ToolProcess>(std::vector<std::string>{
            "wsbench-echo-server", "--port", "0", "--threads", "1", "--reply-prefix", "回答"});
        ASSERT_TRUE(server_->wait_listening());
        url_ = server_->url("/");
    }
    std::unique_ptr<ToolProcess> server_;
    std::string url_;
};

TEST_F(ClientPipe, EchoHiPrintsTheReplyAndExits0) {
    const Shell r = sh("echo hi | \"$CLIENT\" " + url_ + " -n 1");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答hi\n");
    EXPECT_EQ(r.err, "");
}

TEST_F(ClientPipe, StdinLinesGoOutInOrderAndItsEndClosesNormally) {
    // The last line has no newline; the end of input closes with 1000 after the replies.
    const Shell r = sh("printf 'a\\nb b\\n\\nc' | \"$CLIENT\" " + url_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答a\n回答b b\n回答\n回答c\n");
}

TEST_F(ClientPipe, CountPrintsExactlyNMessages) {
    const Shell r = sh("printf 'a\\nb\\nc\\nd\\n' | \"$CLIENT\" " + url_ + " -n 2");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答a\n回答b\n");
}

TEST_F(ClientPipe, ExecuteSendsInOrderAndDoesNotReadStdin) {
    const Shell r = sh("echo from-stdin | \"$CLIENT\" " + url_ + " -x one -x 'two, three'");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答one\n回答two, three\n");
}

TEST_F(ClientPipe, UntilExitsOnTheFirstMatch) {
    const Shell r =
        sh("\"$CLIENT\" " + url_ + " -x a -x b2 -x c -w -1 --until '^回答b[0-9]$' </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答a\n回答b2\n");
}

TEST_F(ClientPipe, UntilWithoutAMatchFailsAtTheTimeout) {
    const Shell r = sh("\"$CLIENT\" " + url_ + " -x a --until nomatch --timeout 300ms </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "回答a\n");
    EXPECT_NE(r.err.find("--timeout: still waiting for --until 'nomatch'"), std::string::npos)
        << r.err;
}

TEST_F(ClientPipe, CountNotReachedFailsAtTheTimeoutNamingWhatCame) {
    const Shell r = sh("\"$CLIENT\" " + url_ + " -x a -n 3 --timeout 300ms </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("still waiting for -n 3 (1 received)"), std::string::npos) << r.err;
}

TEST_F(ClientPipe, WaitForeverStaysOpenUntilTheServerCloses) {
    Process client(
        {"/bin/sh", "-c",
         "exec '" + tool_path("wsbench-client") + "' " + url_ + " -x a -w -1 </dev/null"});
    ASSERT_TRUE(client.wait_for_line("回答a", 10s));
    ASSERT_TRUE(server_->stops_cleanly(SIGTERM));  // the server closes its clients with 1001
    EXPECT_EQ(client.wait(10s), 1);
    EXPECT_NE(client.stderr_text().find("closed by the server: 1001 (going away)"),
              std::string::npos)
        << client.stderr_text();
}

TEST_F(ClientPipe, VerbosePrintsBothHandshakeHeadsOnStderr) {
    const Shell r = sh("\"$CLIENT\" " + url_ + " -v -x a -H 'X-Trace: 7' </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答a\n");
    EXPECT_NE(r.err.find("wsbench-client: > GET / HTTP/1.1\n"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("wsbench-client: > X-Trace: 7\n"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("wsbench-client: < HTTP/1.1 101 Switching Protocols\n"), std::string::npos)
        << r.err;
}

TEST_F(ClientPipe, PingIntervalPrintsRoundTrips) {
    const Shell r = sh("\"$CLIENT\" " + url_ + " -x a -w 1s --ping-interval 50ms </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("pong 'wsbench-1': round trip "), std::string::npos) << r.err;
}

TEST_F(ClientPipe, InvalidUtf8OnStdinIsNotSentAsText) {
    const Shell r = sh("printf 'ok\\n\\377\\n' | \"$CLIENT\" " + url_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答ok\n");
    EXPECT_NE(r.err.find("not sent: not valid UTF-8"), std::string::npos) << r.err;
}

TEST(ClientErrors, UsageErrorsExit2) {
    const Shell r = sh("\"$CLIENT\" http://example.com/");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("URL 'http://example.com/'"), std::string::npos) << r.err;
}

TEST(ClientErrors, ARefusedConnectionExits3) {
    std::string url;
    {
        FakeServer gone([](FakeConnection&) {});
        url = gone.url();
    }  // the port is closed again
    const Shell r = sh("\"$CLIENT\" " + url + " </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("cannot connect to 127.0.0.1:"), std::string::npos) << r.err;
}

TEST(ClientErrors, AServerThatNeverAnswersTheHandshakeExits3AtTheConnectTimeout) {
    FakeServer silent([](FakeConnection& c) { (void)c.read_head(); });
    const Shell r = sh("\"$CLIENT\" " + silent.url() + " --connect-timeout 300ms </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("no handshake response from 127.0.0.1:" + std::to_string(silent.port()) +
                         " within 300ms (--connect-timeout)"),
              std::string::npos)
        << r.err;
}

TEST(ClientErrors, ARefusedHandshakeExits3AndVerboseShowsTheAnswer) {
    FakeServer refuse([](FakeConnection& c) {
        (void)c.read_head();
        c.send("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    });
    const Shell r = sh("\"$CLIENT\" " + refuse.url() + " -v </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("< HTTP/1.1 403 Forbidden"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("handshake rejected by 127.0.0.1:" + std::to_string(refuse.port()) +
                         ": HTTP 403 Forbidden"),
              std::string::npos)
        << r.err;
}

TEST(ClientErrors, APeerThatVanishesExits1) {
    FakeServer vanish([](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        (void)read_client_frame(c);  // the client is open: the reset cannot overtake the 101
        c.reset();
    });
    const Shell r = sh("\"$CLIENT\" " + vanish.url() + " -x hello -w -1 </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("connection lost: 127.0.0.1:"), std::string::npos) << r.err;
}

TEST(ClientErrors, InvalidUtf8FromTheServerClosesWith1007AndExits1) {
    std::atomic<int> got{-1};  // the client's close code, as the server's thread saw it
    FakeServer bad([&](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        c.send(server_frame(Opcode::text, "ok \xff"));
        const auto frame = read_client_frame(c);
        got = frame.first == Opcode::close ? close_code_of(frame.second) : 0;
    });
    const Shell r = sh("\"$CLIENT\" " + bad.url() + " -w -1 </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out, "");
    EXPECT_NE(r.err.find("the server sent invalid UTF-8 in a text message (at byte 3); closed "
                         "with 1007"),
              std::string::npos)
        << r.err;
    ASSERT_TRUE(eventually([&] { return got >= 0; }));
    EXPECT_EQ(got, 1007);
}

TEST(ClientErrors, AMessageAboveMaxMessageSizeClosesWith1009AndExits1) {
    std::atomic<int> got{-1};
    FakeServer big([&](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        c.send(server_frame(Opcode::binary, std::string(20, 'x')));
        const auto frame = read_client_frame(c);
        got = frame.first == Opcode::close ? close_code_of(frame.second) : 0;
    });
    const Shell r = sh("\"$CLIENT\" " + big.url() + " --max-message-size 10 -w -1 </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("above --max-message-size (10 bytes); closed with 1009"),
              std::string::npos)
        << r.err;
    ASSERT_TRUE(eventually([&] { return got >= 0; }));
    EXPECT_EQ(got, 1009);
}

TEST(ClientErrors, TheServersCloseCodeAndReasonAreShownAndDecideTheExitCode) {
    for (const auto& [code, status] : {std::pair<std::uint16_t, int>{4001, 1}, {1000, 0}}) {
        const std::uint16_t c_code = code;
        FakeServer closing([c_code](FakeConnection& c) {
            c.send(accept_handshake(c.read_head()));
            c.send(close_frame(c_code, "bye 再见"));
            (void)read_client_frame(c);
        });
        const Shell r = sh("\"$CLIENT\" " + closing.url() + " -w -1 </dev/null");
        EXPECT_EQ(r.exit_code, status) << code;
        EXPECT_NE(r.err.find("closed by the server: " + std::to_string(code)), std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("'bye 再见'"), std::string::npos) << r.err;
    }
}

// A server that sends `frames` after the handshake, then closes with 1000.
FakeServer::Script sends(std::vector<std::string> frames) {
    return [frames](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        for (const auto& f : frames) c.send(f);
        c.send(close_frame(1000));
        (void)read_client_frame(c);
    };
}

TEST(ClientOutput, BinaryMessagesPrintAsHexBase64OrExactBytes) {
    const std::string bytes("\x00\x01\n\xff", 4);
    FakeServer server(sends({server_frame(Opcode::binary, bytes)}));
    Shell r = sh("\"$CLIENT\" " + server.url() + " -n 1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "00010aff\n");
    r = sh("\"$CLIENT\" " + server.url() + " -n 1 --binary-as base64 </dev/null");
    EXPECT_EQ(r.out, "AAEK/w==\n");
    r = sh("\"$CLIENT\" " + server.url() + " -n 1 --binary-as raw </dev/null");
    EXPECT_EQ(r.out, bytes);
}

TEST(ClientOutput, JsonRepliesArePrettyPrinted) {
    FakeServer server(sends(
        {server_frame(Opcode::text, "{\"a\":[1,\"回答\"]}"), server_frame(Opcode::text, "plain")}));
    const Shell r = sh("\"$CLIENT\" " + server.url() + " --json -n 2 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "{\n  \"a\": [\n    1,\n    \"回答\"\n  ]\n}\nplain\n");
}

TEST(ClientOutput, FragmentedMessagesArriveWhole) {
    FrameHeader first;
    first.opcode = Opcode::text;
    first.fin = false;
    std::string frames(64, '\0');
    frames.resize(encode_frame(first, "回", 3, reinterpret_cast<std::uint8_t*>(frames.data()),
                               frames.size()));
    frames += server_frame(Opcode::ping, "mid");  // a control frame between fragments
    std::string last(64, '\0');
    FrameHeader fin;
    fin.opcode = Opcode::continuation;
    last.resize(
        encode_frame(fin, "答", 3, reinterpret_cast<std::uint8_t*>(last.data()), last.size()));
    FakeServer server(sends({frames + last}));
    const Shell r = sh("\"$CLIENT\" " + server.url() + " -n 1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "回答\n");
}

TEST(ClientOutput, ShowPingPrintsServerPingsAndOurPongs) {
    std::atomic<bool> ponged{false};  // the answer carried the ping's payload
    FakeServer server([&](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        c.send(server_frame(Opcode::ping, "p1"));
        const auto frame = read_client_frame(c);
        ponged = frame.first == Opcode::pong && frame.second == "p1";
        c.send(close_frame(1000));
        (void)read_client_frame(c);
    });
    const Shell r = sh("\"$CLIENT\" " + server.url() + " --show-ping -w -1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(ponged);  // set before the server's close, which the client waited for
    EXPECT_NE(r.err.find("received ping 'p1'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("sent pong 'p1'"), std::string::npos) << r.err;
}

TEST(ClientConnection, HeadersSubprotocolAndOriginAreSentAndTheChoiceChecked) {
    std::string head;                    // the request head, as the server's thread read it
    std::atomic<bool> head_read{false};  // published after `head` is written
    FakeServer server([&](FakeConnection& c) {
        head = c.read_head();
        head_read = true;
        std::string answer = accept_handshake(head);
        answer.insert(answer.size() - 2, "Sec-WebSocket-Protocol: v2.chat\r\n");
        c.send(answer);
        c.send(server_frame(Opcode::text, "hello"));
        answer_close(c);
    });
    const Shell r = sh("\"$CLIENT\" " + server.url() +
                       " -H 'Authorization: Bearer t0k' --subprotocol chat --subprotocol v2.chat"
                       " --origin http://origin.example -n 1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello\n");
    ASSERT_TRUE(head_read);
    EXPECT_NE(head.find("\r\nAuthorization: Bearer t0k\r\n"), std::string::npos) << head;
    EXPECT_NE(head.find("\r\nSec-WebSocket-Protocol: chat, v2.chat\r\n"), std::string::npos)
        << head;
    EXPECT_NE(head.find("\r\nOrigin: http://origin.example\r\n"), std::string::npos) << head;
}

TEST(ClientConnection, ASubprotocolNotOfferedFailsTheHandshake) {
    FakeServer server([](FakeConnection& c) {
        std::string answer = accept_handshake(c.read_head());
        answer.insert(answer.size() - 2, "Sec-WebSocket-Protocol: other\r\n");
        c.send(answer);
    });
    const Shell r = sh("\"$CLIENT\" " + server.url() + " --subprotocol chat </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("HTTP 101 Switching Protocols (handshake_bad_subprotocol)"),
              std::string::npos)
        << r.err;
}

TEST(ClientConnection, ReconnectBacksOffAndCarriesOn) {
    FakeServer server([](FakeConnection& c) {
        c.send(accept_handshake(c.read_head()));
        (void)read_client_frame(c);  // -x, sent on every connection once it is open
        if (c.index() == 0) {
            c.reset();  // the first connection is lost
            return;
        }
        c.send(server_frame(Opcode::text, "second " + std::to_string(c.index())));
        answer_close(c);
    });
    const Shell r = sh("\"$CLIENT\" " + server.url() + " --reconnect -x hello -n 1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "second 1\n");
    EXPECT_NE(r.err.find("connection lost"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("reconnecting in "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(" ms (attempt 1)"), std::string::npos) << r.err;
}

// --deflate against both engines of the echo server: a long text compresses on the way out
// (the server inflates it, or the echo would fail) and its reply inflates on the way in.
TEST(ClientConnection, DeflateCompressesBothWaysAgainstEitherEngine) {
    std::string text;
    while (text.size() < 20000) text += "permessage-deflate 压缩 ";
    for (const char* engine : {"fast", "websocketpp"}) {
        ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--engine",
                            engine, "--deflate", "--reply-prefix", "z:"});
        ASSERT_TRUE(server.wait_listening());
        const Shell r = sh("\"$CLIENT\" " + server.url("/") + " --deflate -v -x '" + text +
                           "' -x short -n 2 </dev/null");
        EXPECT_EQ(r.exit_code, 0) << engine << ": " << r.err;
        EXPECT_EQ(r.out, "z:" + text + "\nz:short\n") << engine;
        EXPECT_NE(r.err.find("> Sec-WebSocket-Extensions: permessage-deflate; "
                             "client_max_window_bits"),
                  std::string::npos)
            << r.err;
        EXPECT_NE(r.err.find("< Sec-WebSocket-Extensions: permessage-deflate"), std::string::npos)
            << engine << ": " << r.err;
    }
    // A server without compression declines: the same messages go uncompressed.
    ToolProcess plain({"wsbench-echo-server", "--port", "0", "--threads", "1"});
    ASSERT_TRUE(plain.wait_listening());
    const Shell r = sh("\"$CLIENT\" " + plain.url("/") + " --deflate -v -x hello -n 1 </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "hello\n");
    EXPECT_EQ(r.err.find("< Sec-WebSocket-Extensions"), std::string::npos) << r.err;
}

// An answer a client must refuse (RFC 7692 §7.1: a window of 16 bits) fails the handshake
// (exit 3); a compressed message that does not inflate closes with 1007 (exit 1).
TEST(ClientConnection, DeflateRefusesABadAnswerAndDataThatDoesNotInflate) {
    FakeServer bad_answer([](FakeConnection& c) {
        std::string head = accept_handshake(c.read_head());
        head.insert(head.size() - 2,
                    "Sec-WebSocket-Extensions: permessage-deflate; "
                    "server_max_window_bits=16\r\n");
        c.send(head);
    });
    Shell r = sh("\"$CLIENT\" " + bad_answer.url() + " --deflate -x hi </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("is one a client must refuse"), std::string::npos) << r.err;

    std::atomic<int> got{-1};
    FakeServer garbage([&](FakeConnection& c) {
        std::string head = accept_handshake(c.read_head());
        head.insert(head.size() - 2, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        c.send(head);
        std::string frame = server_frame(Opcode::text, "\xff\xff\xff\xff not deflate");
        frame[0] = static_cast<char>(frame[0] | 0x40);  // RSV1: compressed
        c.send(frame);
        const auto reply = read_client_frame(c);
        got = reply.first == Opcode::close ? close_code_of(reply.second) : 0;
    });
    r = sh("\"$CLIENT\" " + garbage.url() + " --deflate -w -1 </dev/null");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("does not inflate; closed with 1007"), std::string::npos) << r.err;
    ASSERT_TRUE(eventually([&] { return got >= 0; }));
    EXPECT_EQ(got, 1007);
}

TEST(ClientConnection, WssVerifiesTheServerAgainstCa) {
    ScratchDir dir("client-tls");
    const std::string cert = (dir / "cert.pem").string();
    const std::string key = (dir / "key.pem").string();
    std::string error;
    ASSERT_TRUE(write_self_signed_cert(cert, key, error)) << error;
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1", "--tls-cert", cert,
                        "--tls-key", key, "--reply-prefix", "tls:"});
    ASSERT_TRUE(server.wait_listening());
    const std::string url = server.url("/");
    ASSERT_EQ(url.rfind("wss://", 0), 0u) << url;
    Shell r = sh("\"$CLIENT\" " + url + " --ca " + cert + " -x hi </dev/null");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "tls:hi\n");
    r = sh("\"$CLIENT\" " + url + " --insecure -x hi </dev/null");
    EXPECT_EQ(r.out, "tls:hi\n");
    // Without --ca the self-signed certificate is not trusted: cannot connect.
    r = sh("\"$CLIENT\" " + url + " -x hi </dev/null");
    EXPECT_EQ(r.exit_code, 3);
    EXPECT_NE(r.err.find("TLS handshake with"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace wsb::test
