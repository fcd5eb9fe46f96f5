// The tools of the build's bin/ as child processes of integration tests: a server started and
// waited on until it listens, or a command run to completion with a deadline.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.hpp"

namespace wsb::test {

/// What a tool run to completion left: exit code, stdout, stderr, wall time.
struct ToolRun {
    std::optional<int> exit_code;  ///< nullopt when it had not exited by the deadline
    std::string out;
    std::string err;
    double seconds = 0;  ///< from the start to the exit (or the deadline)
};

/// A tool of bin/ running as a child process, killed (SIGKILL) if it still runs at the end.
class ToolProcess {
  public:
    /// Starts bin/<argv[0]> with the rest of `argv`, then `more` (a test's own options after
    /// those of its fixture); throws std::runtime_error when it cannot.
    explicit ToolProcess(std::vector<std::string> argv, const std::vector<std::string>& more = {});

    /// Waits for the tool's `listening on ws://HOST:PORT` line (or wss://) and keeps the address;
    /// false, with a failure of the current test showing the tool's stderr, when none comes.
    bool wait_listening(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    /// The announced address with `path`, or "" before wait_listening succeeded.
    std::string url(const std::string& path = "/") const;

    /// Reads stdout until the tool closes it, then collects its exit, both within `timeout` of
    /// the start.
    ToolRun finish(std::chrono::milliseconds timeout);
    /// Sends `sig` and expects exit code 0 within `timeout` (under LSan a leak makes it 1).
    ::testing::AssertionResult stops_cleanly(
        int sig = SIGTERM, std::chrono::milliseconds timeout = std::chrono::seconds(10));

    std::unique_ptr<Process> process;      ///< signals, stdout, stderr, pid
    std::optional<ServerAddress> address;  ///< set by wait_listening

  private:
    std::chrono::steady_clock::time_point started_;
};

/// Runs bin/<argv[0]> with the rest of `argv` to completion (ToolProcess::finish).
ToolRun run_tool(std::vector<std::string> argv,
                 std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace wsb::test
