// wsbench-client in a real terminal: tmux runs it against wsbench-echo-server with
// --reply-prefix 回答, keys go in with send-keys and the screen comes back with capture-pane:
// Chinese text and its reply, /hex, /ping's round trip, history recall, /close 4000 bye and the
// exit code. Every wait is for text on the screen, with a deadline.
#include <gtest/gtest.h>

#include <string>

#include "tmux.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

TEST(ClientTerminal, InteractiveSessionInTmux) {
    if (!have_tmux()) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh installs it)";
    ToolProcess server(
        {"wsbench-echo-server", "--port", "0", "--threads", "1", "--reply-prefix", "回答"});
    ASSERT_TRUE(server.wait_listening());
    Tmux tmux("LANG=C.UTF-8 " + tool_path("wsbench-client") + " " + server.url("/") +
              "; echo EXIT=$?; sleep 600");
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.shows("* connected to ws://"));

    tmux.keys({"你好，世界", "Enter"});
    EXPECT_TRUE(tmux.shows(" > 你好，世界"));
    EXPECT_TRUE(tmux.shows(" < 回答你好，世界"));

    tmux.keys({"/hex 00ff 10", "Enter"});
    EXPECT_TRUE(tmux.shows(" > [binary 3 B] 00ff10"));
    // The reply is the prefix's UTF-8 bytes, then ours.
    EXPECT_TRUE(tmux.shows(" < [binary 9 B] e59b9ee7ad9400ff10"));

    tmux.keys({"/ping", "Enter"});
    EXPECT_TRUE(tmux.shows("* pong 'wsbench-1': round trip "));

    tmux.keys({"/json {\"k\": [1, 2]}", "Enter"});
    EXPECT_TRUE(tmux.shows(" < 回答{\"k\":[1,2]}"));

    tmux.keys({"/nonsense", "Enter"});
    EXPECT_TRUE(tmux.shows("* unknown command /nonsense"));

    // History: Up five times reaches the first line; editing keys work on it.
    tmux.keys({"Up", "Up", "Up", "Up", "Up", "End", "!", "Enter"});
    EXPECT_TRUE(tmux.shows(" < 回答你好，世界!"));

    tmux.keys({"/close 4000 bye", "Enter"});
    EXPECT_TRUE(tmux.shows("* closed: the server answered with 4000"));
    EXPECT_TRUE(tmux.shows("EXIT=0"));
}

TEST(ClientTerminal, CtrlCClosesWith1000AndRestoresTheTerminal) {
    if (!have_tmux()) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh installs it)";
    ToolProcess server({"wsbench-echo-server", "--port", "0", "--threads", "1"});
    ASSERT_TRUE(server.wait_listening());
    Tmux tmux("LANG=C.UTF-8 " + tool_path("wsbench-client") + " " + server.url("/") +
              "; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon | sort | "
              "tr '\\n' ' '; echo; sleep 600");
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.shows("* connected to ws://"));
    tmux.keys({"half typed", "C-c"});
    EXPECT_TRUE(tmux.shows("* interrupted: closing with 1000"));
    EXPECT_TRUE(tmux.shows("* closed: the server answered with 1000 (normal)"));
    EXPECT_TRUE(tmux.shows("EXIT=0"));
    EXPECT_TRUE(tmux.shows("echo icanon")) << "the terminal is back in cooked mode";
}

TEST(ClientTerminal, QuitWhileReconnectingExitsAndRestoresTheTerminal) {
    if (!have_tmux()) GTEST_SKIP() << "tmux is not installed (scripts/setup.sh installs it)";
    // A port nobody listens on: the client keeps reconnecting; a typed message waits for a
    // connection, /quit acts at once (the loop ends inside libedit's line handler).
    Tmux tmux("LANG=C.UTF-8 " + tool_path("wsbench-client") + " ws://127.0.0.1:1/ --reconnect" +
              "; echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e echo -e icanon | sort | "
              "tr '\\n' ' '; echo; sleep 600");
    ASSERT_TRUE(tmux.ok());
    ASSERT_TRUE(tmux.shows("* reconnecting in "));
    tmux.keys({"early", "Enter"});
    EXPECT_TRUE(tmux.shows("* not connected yet: sent once the connection opens"));
    tmux.keys({"/quit", "Enter"});
    EXPECT_TRUE(tmux.shows("EXIT=0"));
    EXPECT_TRUE(tmux.shows("echo icanon")) << "the terminal is back in cooked mode";
}

}  // namespace
}  // namespace wsb::test
