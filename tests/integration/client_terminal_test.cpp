// wsbench-client in a real terminal: tmux runs it against wsbench-echo-server with
// --reply-prefix 回答, keys go in with send-keys and the screen comes back with capture-pane:
// Chinese text and its reply, /hex, /ping's round trip, history recall, /close 4000 bye and the
// exit code. Every wait is for text on the screen, with a deadline.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "eventually.hpp"
#include "tool_process.hpp"

namespace wsb::test {
namespace {

using namespace std::chrono_literals;

// "'text'" for /bin/sh.
std::string sh_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string run_output(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return out;
    std::array<char, 4096> buf;
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
        out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

/// A tmux server of its own (-L), one window running `command`, killed at the end.
class Tmux {
  public:
    explicit Tmux(const std::string& command)
        : socket_("wsbench-test-" + std::to_string(::getpid())) {
        ok_ = std::system(
                  ("tmux -L " + socket_ + " new-session -d -s t -x 160 -y 50 " + sh_quote(command))
                      .c_str()) == 0;
    }
    ~Tmux() { (void)std::system(("tmux -L " + socket_ + " kill-server 2>/dev/null").c_str()); }
    bool ok() const { return ok_; }

    /// Types `keys` (tmux key names such as Enter, Up, C-c are given one per argument).
    void keys(const std::vector<std::string>& keys) {
        std::string cmd = "tmux -L " + socket_ + " send-keys -t t";
        for (const auto& k : keys) cmd += " " + sh_quote(k);
        EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    }
    std::string screen() const {
        return run_output("tmux -L " + socket_ + " capture-pane -p -t t -S -100");
    }
    /// Waits until the screen shows `needle` at least `times` times.
    ::testing::AssertionResult shows(const std::string& needle, std::size_t times = 1) {
        if (eventually([&] { return count(screen(), needle) >= times; }, 10s)) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure()
               << "no '" << needle << "' (x" << times << ") on the screen:\n"
               << screen();
    }

  private:
    std::string socket_;
    bool ok_ = false;
};

bool have_tmux() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

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
