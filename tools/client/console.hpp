// Console: where the client's lines come from and go to. PipeConsole is the script mode (stdin
// lines are messages, stdout carries only received messages, notes go to stderr);
// TerminalConsole (terminal_console.hpp) the interactive one. InputWatcher tells either when
// stdin has something to read, on the Asio loop.
#pragma once

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "client/config.hpp"
#include "client/format.hpp"

namespace wsb::client {

/// Calls a function whenever a file descriptor can be read without blocking: through the loop's
/// reactor for pipes, sockets and terminals; at once, again and again, for regular files and
/// devices such as /dev/null, which epoll refuses (and which never block).
class InputWatcher {
  public:
    /// Watches `fd` (not owned: never closed here).
    InputWatcher(asio::io_context& io, int fd);
    ~InputWatcher();
    InputWatcher(const InputWatcher&) = delete;
    InputWatcher& operator=(const InputWatcher&) = delete;

    /// Calls `ready` each time `fd` is readable until it returns false or stop() is called.
    void start(std::function<bool()> ready);
    void stop();
    /// Stops calling, and starts again, keeping `ready`.
    void pause() { stop(); }
    void resume();
    int fd() const noexcept { return fd_; }

  private:
    void wait();
    void on_ready(const asio::error_code& ec, unsigned generation);
    void restore_flags();

    asio::io_context& io_;
    int fd_;
    int flags_;  // the file status flags stdin came with
    std::optional<asio::posix::stream_descriptor> descriptor_;  // set when the fd is pollable
    std::function<bool()> ready_;
    bool watching_ = false;
    unsigned generation_ = 0;  // bumped by each (re)start: older callbacks go quiet
};

/// The client's input and output.
class Console {
  public:
    using LineHandler = std::function<void(std::string line)>;
    using EndHandler = std::function<void()>;
    virtual ~Console() = default;

    /// Starts reading lines: each goes to `line`, the end of input (Ctrl-D, EOF) to `end`.
    virtual void start_input(LineHandler line, EndHandler end) = 0;
    /// Stops reading and gives the terminal back as it was.
    virtual void stop_input() = 0;
    /// Stops reading for a while (the connection is behind) and starts again.
    virtual void pause_input() {}
    virtual void resume_input() {}
    /// A data message that went `dir`.
    virtual void message(Direction dir, bool binary, std::string_view payload) = 0;
    /// The client's own words: connected, closed, errors.
    virtual void note(std::string_view text) = 0;
    /// Extra lines asked for by -v or --show-ping (heads, pings): never on a script's stdout.
    virtual void detail(std::string_view text) = 0;
    /// True for the interactive console.
    virtual bool interactive() const = 0;
};

/// Script mode: stdout carries only received messages; notes and details go to stderr as
/// "wsbench-client: TEXT".
class PipeConsole : public Console {
  public:
    PipeConsole(asio::io_context& io, const Config& config);

    void start_input(LineHandler line, EndHandler end) override;
    void stop_input() override { watcher_.stop(); }
    void pause_input() override { watcher_.pause(); }
    void resume_input() override { watcher_.resume(); }
    void message(Direction dir, bool binary, std::string_view payload) override;
    void note(std::string_view text) override;
    void detail(std::string_view text) override { note(text); }
    bool interactive() const override { return false; }

  private:
    bool on_readable();

    InputWatcher watcher_;
    FormatOptions format_;
    LineHandler line_;
    EndHandler end_;
    std::string partial_;  // input after the last newline
    std::string out_;      // formatting buffer, reused
};

}  // namespace wsb::client
