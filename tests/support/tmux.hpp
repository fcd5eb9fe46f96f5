// A terminal for integration tests: a tmux server of its own running one command, keys typed
// with send-keys and the screen read back with capture-pane. Header-only; tests that use it
// skip (loudly) when tmux is not installed.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "eventually.hpp"

namespace wsb::test {

/// "'text'" for /bin/sh.
inline std::string sh_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// The stdout of a shell command.
inline std::string run_output(const std::string& command) {
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    if (!p) return out;
    std::array<char, 4096> buf;
    for (std::size_t n; (n = std::fread(buf.data(), 1, buf.size(), p)) > 0;)
        out.append(buf.data(), n);
    ::pclose(p);
    return out;
}

/// How many times `needle` occurs in `text`.
inline std::size_t count_of(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (std::size_t at = text.find(needle); at != std::string::npos;
         at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

inline bool have_tmux() { return std::system("command -v tmux >/dev/null 2>&1") == 0; }

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
    Tmux(const Tmux&) = delete;
    Tmux& operator=(const Tmux&) = delete;
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
        if (eventually([&] { return count_of(screen(), needle) >= times; },
                       std::chrono::seconds(10))) {
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

}  // namespace wsb::test
