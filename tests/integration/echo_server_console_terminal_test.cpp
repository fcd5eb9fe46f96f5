// wsbench-echo-server --console in a real terminal: tmux runs the server with --reply-prefix
// 回答, two clients connect, keys go in with send-keys and the screen comes back with
// capture-pane: a typed line (Chinese) reaches both clients, what a client sends prints with
// its id, /list shows both with their ports, history recall sends a line again, /close acts on
// one client and /quit shuts down with exit code 0 and the terminal restored. Every wait is
// for text on the screen or a frame at a client, with a deadline.
#include <gtest/gtest.h>

#include <string>

#include "tmux.hpp"
#include "tool_process.hpp"
#include "ws_client.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

std::string text_of(WsClient& c) {
    const auto m = c.receive(5s);
    if (!m) return "<nothing: " + c.error() + ">";
    if (m->opcode != Opcode::text) return "<opcode " + std::to_string(int(m->opcode)) + ">";
    return m->payload;
}

// The port of the screen's "listening on ws://127.0.0.1:PORT" line, 0 when there is none.
unsigned short listening_port(const std::string& screen) {
    const std::string mark = "listening on ws://127.0.0.1:";
    const std::size_t at = screen.find(mark);
    if (at == std::string::npos) return 0;
    return static_cast<unsigned short>(std::stoul(screen.substr(at + mark.size())));
}

TEST(EchoServerConsoleTerminal, OperatorSessionInTmux) {
    if (!have_tmux()) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh installs it)";
    Tmux tmux("LANG=C.UTF-8 " + tool_path("wsbench-echo-server") +
              " --port 0 --threads 1 --console --reply-prefix 回答 2>/dev/null; echo EXIT=$?; "
              "stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon | sort | tr '\\n' ' '; echo; "
              "sleep 600");
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.shows("listening on ws://127.0.0.1:"));
    const unsigned short port = listening_port(tmux.screen());
    ASSERT_NE(port, 0);
    const std::string url = "ws://127.0.0.1:" + std::to_string(port) + "/";

    WsClient a, b;
    ASSERT_TRUE(a.connect(url + "a")) << a.error();
    ASSERT_TRUE(tmux.shows("* #1 open: 127.0.0.1:" + std::to_string(a.local_port()) + " /a"));
    ASSERT_TRUE(b.connect(url + "b")) << b.error();
    ASSERT_TRUE(tmux.shows("* #2 open: 127.0.0.1:" + std::to_string(b.local_port()) + " /b"));

    tmux.keys({"你好，世界", "Enter"});
    EXPECT_EQ(text_of(a), "你好，世界");
    EXPECT_EQ(text_of(b), "你好，世界");
    EXPECT_TRUE(tmux.shows("* sent to 2 client(s)"));

    ASSERT_TRUE(a.send_text("来自a"));
    EXPECT_EQ(text_of(a), "回答来自a");
    EXPECT_TRUE(tmux.shows("#1 < 来自a"));

    tmux.keys({"/list", "Enter"});
    EXPECT_TRUE(tmux.shows("* 2 open client(s)"));
    EXPECT_TRUE(tmux.shows("127.0.0.1:" + std::to_string(a.local_port()) + "  /a"));
    EXPECT_TRUE(tmux.shows("127.0.0.1:" + std::to_string(b.local_port()) + "  /b"));

    // History: Up twice reaches the first line; editing keys work on it.
    tmux.keys({"Up", "Up", "End", "!", "Enter"});
    EXPECT_EQ(text_of(a), "你好，世界!");
    EXPECT_EQ(text_of(b), "你好，世界!");

    tmux.keys({"/close 1 4000 bye", "Enter"});
    const auto close = a.receive(5s);
    ASSERT_TRUE(close);
    EXPECT_EQ(close->close_code(), 4000);
    a.send_close(4000);
    EXPECT_TRUE(tmux.shows("* #1 closed: 4000"));

    tmux.keys({"/nonsense", "Enter"});
    EXPECT_TRUE(tmux.shows("* unknown command /nonsense"));

    tmux.keys({"/quit", "Enter"});
    EXPECT_EQ(b.receive_close(), 1001);
    b.send_close(1001);
    EXPECT_TRUE(tmux.shows("EXIT=0"));
    EXPECT_TRUE(tmux.shows("echo icanon")) << "the terminal is back in cooked mode";
}

}  // namespace
}  // namespace wsb::test
