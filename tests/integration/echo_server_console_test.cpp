// wsbench-echo-server --console with stdin a pipe, against both engines: a line typed to the
// server reaches every open client, /list shows them with their ports, /send and /close act
// on one client, received messages print with the client's id, bad commands print an error
// line and change nothing, /quit shuts down as SIGINT does. Every wait is for a line on the
// server's stdout or a frame at a client, with a deadline.
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"
#include "scratch_dir.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

/// wsbench-echo-server --console on a stdin pipe, listening on a free port.
class ConsoleServer {
  public:
    explicit ConsoleServer(const std::vector<std::string>& args) {
        std::vector<std::string> argv = {tool_path("wsbench-echo-server"), "--port", "0"};
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<Process>(argv, Process::Stdin::pipe);
        address = wait_listening(*process);
    }

    /// Types `line` at the console.
    bool type(const std::string& line) { return process->write_stdin(line + "\n"); }

    /// Waits for a stdout line starting with `prefix`.
    std::optional<std::string> line(const std::string& prefix) {
        auto l = process->wait_for_line(prefix, 10s);
        EXPECT_TRUE(l) << "no line '" << prefix << "' on stdout:\n"
                       << process->stdout_text() << "\nstderr:\n"
                       << process->stderr_text();
        return l;
    }

    /// Connects a client to `path` and waits for the console's "* #ID open:" line about it;
    /// returns the client's id, 0 on failure.
    std::uint64_t connect(WsClient& client, const std::string& path,
                          const ClientOptions& options = {}) {
        if (!client.connect(address->url(path), options)) {
            ADD_FAILURE() << client.error();
            return 0;
        }
        const std::string port = ":" + std::to_string(client.local_port()) + " ";
        // Lines are read in order: an open line of another client may come first.
        for (int i = 0; i < 4; ++i) {
            const auto l = line("* #");
            if (!l) return 0;
            if (l->find(" open: ") != std::string::npos && l->find(port) != std::string::npos) {
                return std::stoull(l->substr(3));
            }
        }
        ADD_FAILURE() << "no open line for port" << port;
        return 0;
    }

    std::unique_ptr<Process> process;
    std::optional<ServerAddress> address;
};

std::optional<std::string> text_of(WsClient& c) {
    const auto m = c.receive(5s);
    if (!m) return std::nullopt;
    if (m->opcode != Opcode::text) return "<opcode " + std::to_string(int(m->opcode)) + ">";
    return m->payload;
}

class EchoServerConsole : public ::testing::TestWithParam<const char*> {
  protected:
    std::vector<std::string> args(std::vector<std::string> more) const {
        more.insert(more.begin(), {"--engine", GetParam(), "--threads", "2", "--console"});
        return more;
    }
};

TEST_P(EchoServerConsole, ATypedLineReachesEveryClientAndListShowsThem) {
    ConsoleServer server(args({}));
    ASSERT_TRUE(server.address);
    WsClient a, b;
    ClientOptions chat;
    chat.subprotocols = {"chat"};
    const std::uint64_t ida = server.connect(a, "/a");
    const std::uint64_t idb = server.connect(b, "/b?room=1", chat);
    ASSERT_NE(ida, 0u);
    ASSERT_NE(idb, 0u);

    ASSERT_TRUE(server.type("hello 世界"));
    EXPECT_EQ(text_of(a), "hello 世界");
    EXPECT_EQ(text_of(b), "hello 世界");
    EXPECT_TRUE(server.line("* sent to 2 client(s)"));

    ASSERT_TRUE(server.type("/list"));
    ASSERT_TRUE(server.line("ID  PEER"));
    const auto row_a = server.line(std::to_string(ida) + " ");
    const auto row_b = server.line(std::to_string(idb) + " ");
    ASSERT_TRUE(row_a && row_b);
    // Sorted by id; each row names the peer's port, the resource and the offered subprotocol.
    const std::string port_a = "127.0.0.1:" + std::to_string(a.local_port());
    const std::string port_b = "127.0.0.1:" + std::to_string(b.local_port());
    EXPECT_NE(row_a->find(port_a), std::string::npos) << *row_a;
    EXPECT_NE(row_a->find(" /a "), std::string::npos) << *row_a;
    EXPECT_NE(row_b->find(port_b), std::string::npos) << *row_b;
    EXPECT_NE(row_b->find(" /b?room=1 "), std::string::npos) << *row_b;
    EXPECT_NE(row_b->find(" chat "), std::string::npos) << *row_b;
    EXPECT_TRUE(server.line("* 2 open client(s)"));
}

TEST_P(EchoServerConsole, SendAndCloseActOnOneClient) {
    ConsoleServer server(args({}));
    ASSERT_TRUE(server.address);
    WsClient a, b;
    const std::uint64_t ida = server.connect(a, "/");
    const std::uint64_t idb = server.connect(b, "/");
    ASSERT_NE(ida, 0u);
    ASSERT_NE(idb, 0u);

    ASSERT_TRUE(server.type("/send " + std::to_string(idb) + " only for b"));
    EXPECT_EQ(text_of(b), "only for b");
    EXPECT_TRUE(server.line("* sent to #" + std::to_string(idb)));
    // a got nothing: its next message is the binary one every client gets.
    ASSERT_TRUE(server.type("/hex 00ff10"));
    const auto m = a.receive(5s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->opcode, Opcode::binary);
    EXPECT_EQ(m->payload, std::string("\x00\xff\x10", 3));

    ASSERT_TRUE(server.type("/close " + std::to_string(ida) + " 4000 bye now"));
    const auto close = a.receive(5s);
    ASSERT_TRUE(close);
    ASSERT_EQ(close->opcode, Opcode::close);
    EXPECT_EQ(close->close_code(), 4000);
    EXPECT_EQ(close->close_reason(), "bye now");
    EXPECT_TRUE(a.send_close(4000));
    EXPECT_TRUE(a.wait_eof());
    EXPECT_TRUE(server.line("* #" + std::to_string(ida) + " closed: 4000"));
    // b is still served.
    ASSERT_TRUE(b.send_text("still here"));
    EXPECT_EQ(text_of(b), "<opcode 2>");  // the /hex message, first
    EXPECT_EQ(text_of(b), "still here");
}

TEST_P(EchoServerConsole, ReceivedMessagesPrintWithTheClientId) {
    ConsoleServer server(args({"--reply-prefix", "回答"}));
    ASSERT_TRUE(server.address);
    WsClient a;
    const std::uint64_t id = server.connect(a, "/");
    ASSERT_NE(id, 0u);
    ASSERT_TRUE(a.send_text("你好\x01"));
    EXPECT_EQ(text_of(a), "回答你好\x01");  // the echo keeps working, prefixed
    EXPECT_TRUE(server.line("#" + std::to_string(id) + " < 你好\\x01"));
    ASSERT_TRUE(a.send_binary(std::string("\x00\x01", 2)));
    EXPECT_TRUE(server.line("#" + std::to_string(id) + " < [binary 2 B] 0001"));
    // The console's own messages carry no reply prefix.
    ASSERT_TRUE(server.type("plain"));
    EXPECT_EQ(text_of(a), "<opcode 2>");  // the binary echo
    EXPECT_EQ(text_of(a), "plain");
}

TEST_P(EchoServerConsole, BroadcastModeSendsClientAndConsoleMessagesToAll) {
    ConsoleServer server(args({"--mode", "broadcast", "--reply-prefix", "P:"}));
    ASSERT_TRUE(server.address);
    WsClient a, b;
    const std::uint64_t ida = server.connect(a, "/");
    ASSERT_NE(server.connect(b, "/"), 0u);
    ASSERT_TRUE(a.send_text("from a"));
    EXPECT_EQ(text_of(a), "P:from a");
    EXPECT_EQ(text_of(b), "P:from a");
    EXPECT_TRUE(server.line("#" + std::to_string(ida) + " < from a"));
    ASSERT_TRUE(server.type("from the operator"));
    EXPECT_EQ(text_of(a), "from the operator");
    EXPECT_EQ(text_of(b), "from the operator");
    ASSERT_TRUE(server.type("/close-all 4001 later"));
    EXPECT_EQ(a.receive_close(), 4001);
    EXPECT_EQ(b.receive_close(), 4001);
    EXPECT_TRUE(server.line("* closing 2 client(s) with 4001"));
}

TEST_P(EchoServerConsole, FileAndBinarySendExactBytesToEveryClient) {
    ConsoleServer server(args({}));
    ASSERT_TRUE(server.address);
    WsClient a, b;
    ASSERT_NE(server.connect(a, "/"), 0u);
    ASSERT_NE(server.connect(b, "/"), 0u);
    ScratchDir dir("console");
    const std::string bytes = random_payload(70000, 7);  // a 64-bit length header
    std::ofstream(dir / "blob", std::ios::binary) << bytes;
    ASSERT_TRUE(server.type("/file " + (dir / "blob").string()));
    ASSERT_TRUE(server.type("/binary  two spaces "));
    for (WsClient* c : {&a, &b}) {
        auto m = c->receive(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->opcode, Opcode::binary);
        EXPECT_EQ(m->payload, bytes);
        m = c->receive(5s);
        ASSERT_TRUE(m);
        EXPECT_EQ(m->opcode, Opcode::binary);
        EXPECT_EQ(m->payload, " two spaces ");
    }
}

TEST_P(EchoServerConsole, BadCommandsPrintAnErrorAndChangeNothing) {
    ConsoleServer server(args({}));
    ASSERT_TRUE(server.address);
    WsClient a;
    ASSERT_NE(server.connect(a, "/"), 0u);
    ASSERT_TRUE(server.type("/send 999 x"));
    EXPECT_TRUE(server.line("* no open client #999 (/list shows them)"));
    ASSERT_TRUE(server.type("/close 999"));
    EXPECT_TRUE(server.line("* no open client #999"));
    ASSERT_TRUE(server.type("/hex 0g"));
    EXPECT_TRUE(server.line("* /hex: 'g' at column 2 is not a hex digit"));
    ASSERT_TRUE(server.type("/close 1 1006"));
    EXPECT_TRUE(server.line("* /close 1006: not a code a close frame may carry"));
    ASSERT_TRUE(server.type("/file /nonexistent/file"));
    EXPECT_TRUE(server.line("* /file /nonexistent/file: cannot read it"));
    ASSERT_TRUE(server.type("/file /tmp"));
    EXPECT_TRUE(server.line("* /file /tmp: is a directory, not a file"));
    ASSERT_TRUE(server.type("/bogus"));
    EXPECT_TRUE(server.line("* unknown command /bogus"));
    ASSERT_TRUE(server.type("/stats"));
    EXPECT_TRUE(server.line("{\"close_codes\""));
    // Still serving, and the client saw none of it.
    ASSERT_TRUE(a.send_text("ping"));
    EXPECT_EQ(text_of(a), "ping");
}

TEST_P(EchoServerConsole, QuitClosesEveryClientWith1001AndExitsZero) {
    ConsoleServer server(args({}));
    ASSERT_TRUE(server.address);
    WsClient a;
    ASSERT_NE(server.connect(a, "/"), 0u);
    ASSERT_TRUE(server.type("/quit"));
    EXPECT_EQ(a.receive_close(), 1001) << a.error() << "\n" << server.process->stderr_text();
    a.send_close(1001);
    EXPECT_EQ(server.process->wait(10s), 0) << server.process->stderr_text();
}

TEST_P(EchoServerConsole, TheEndOfInputKeepsTheServerServing) {
    ConsoleServer server(args({"--console-quiet"}));
    ASSERT_TRUE(server.address);
    server.process->close_stdin();
    EXPECT_TRUE(server.line("* end of console input: serving until SIGINT or SIGTERM"));
    WsClient a;
    ASSERT_TRUE(a.connect(server.address->url("/")));
    ASSERT_TRUE(a.send_text("still"));
    EXPECT_EQ(text_of(a), "still");
    ASSERT_TRUE(a.send_close(1000));
    EXPECT_EQ(a.receive_close(), 1000);
    server.process->signal(SIGTERM);
    EXPECT_EQ(server.process->wait(10s), 0);
}

TEST_P(EchoServerConsole, QuietPrintsNoMessagesButListsClients) {
    ConsoleServer server(args({"--console-quiet"}));
    ASSERT_TRUE(server.address);
    WsClient a;
    ASSERT_TRUE(a.connect(server.address->url("/q")));
    ASSERT_TRUE(a.send_text("secret"));
    EXPECT_EQ(text_of(a), "secret");
    ASSERT_TRUE(server.type("/list"));
    EXPECT_TRUE(server.line("* 1 open client(s)"));
    const std::string out = server.process->stdout_text();
    EXPECT_EQ(out.find("secret"), std::string::npos) << out;
    EXPECT_EQ(out.find(" open: "), std::string::npos) << out;
    EXPECT_NE(out.find(" /q "), std::string::npos) << out;
}

TEST_P(EchoServerConsole, WithoutConsoleStdinIsNotRead) {
    std::vector<std::string> argv = {tool_path("wsbench-echo-server"), "--port", "0", "--engine",
                                     GetParam()};
    Process p(argv, Process::Stdin::pipe);
    const auto address = wait_listening(p);
    ASSERT_TRUE(address);
    ASSERT_TRUE(p.write_stdin("/quit\n"));
    WsClient a;
    ASSERT_TRUE(a.connect(address->url("/")));
    ASSERT_TRUE(a.send_text("x"));
    EXPECT_EQ(text_of(a), "x");  // a round trip later the /quit is still unread
    EXPECT_EQ(p.stdout_text().find("* "), std::string::npos);
    ASSERT_TRUE(a.send_close(1000));
    EXPECT_EQ(a.receive_close(), 1000);
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait(10s), 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, EchoServerConsole, ::testing::Values("websocketpp", "fast"),
                         [](const ::testing::TestParamInfo<const char*>& p) {
                             return std::string(p.param);
                         });

}  // namespace
}  // namespace wsb::test
