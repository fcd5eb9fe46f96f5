// Child processes for integration tests: start a tool, wait for its readiness line with a
// deadline, signal it, and collect its exit status and stderr.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wsb::test {

/// A child process whose stdout is a pipe and whose stderr goes to a temporary file; its stdin
/// is the test's, or a pipe the test writes (Stdin::pipe).
class Process {
  public:
    enum class Stdin { inherit, pipe };
    /// Starts `argv[0]` (a path) with `argv`; throws std::runtime_error when it cannot.
    explicit Process(std::vector<std::string> argv, Stdin in = Stdin::inherit);
    ~Process();  ///< kills the child (SIGKILL) if it still runs
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    /// Reads stdout until a line starting with `prefix` arrives; returns it (without the
    /// newline), or nullopt at the deadline or when stdout closes first.
    std::optional<std::string> wait_for_line(const std::string& prefix,
                                             std::chrono::milliseconds timeout);

    /// Reads stdout until the child closes it (at its exit, usually); false at the deadline.
    bool read_stdout_to_eof(std::chrono::milliseconds timeout);

    /// Everything read from stdout so far.
    const std::string& stdout_text() const { return out_; }
    /// The stderr written so far.
    std::string stderr_text() const;
    /// Waits until stderr contains `needle`; false at the deadline.
    bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout) const;

    /// Writes `text` to the child's stdin (Stdin::pipe); false when it cannot (closed, gone).
    bool write_stdin(const std::string& text);
    /// Closes the child's stdin: it reads the end of input.
    void close_stdin();

    void signal(int sig);
    /// Waits for the child to exit; returns its exit code (128+signal when killed), or
    /// nullopt at the deadline.
    std::optional<int> wait(std::chrono::milliseconds timeout);
    pid_t pid() const { return pid_; }

  private:
    enum class Read { data, eof, timeout };
    /// Appends what one read of stdout brings, waiting for it until `deadline`.
    Read read_stdout(std::chrono::steady_clock::time_point deadline);

    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    int stdin_fd_ = -1;  // our end of the child's stdin (Stdin::pipe)
    std::string stderr_path_;
    std::string out_;
    std::size_t scanned_ = 0;
    std::optional<int> status_;
};

/// A server started from `argv` that announced `listening on ws://HOST:PORT` (or wss://).
struct ServerAddress {
    std::string scheme;
    std::string host;
    unsigned short port = 0;
    std::string url(const std::string& path = "/") const;
};

/// Waits for the listening line of a server and parses it; fails the current test (with the
/// server's stderr) when it does not come within `timeout`.
std::optional<ServerAddress> wait_listening(
    Process& p, std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A size field of /proc/<pid>/status in KiB ("VmRSS", "VmHWM"), or nullopt.
std::optional<std::uint64_t> proc_status_kib(pid_t pid, const std::string& field);

/// Absolute path of a built tool (bin/<name> under the build directory).
std::string tool_path(const std::string& name);

}  // namespace wsb::test
