// The server console (console.hpp): its thread, its task queue, pipe input and the commands.
// The terminal's line editing is in console_terminal.cpp.
#include "echo_server/console.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <clocale>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace wsb::echo {

/// The results of one ClientOp as its parts report them (the console's thread only).
struct Console::Gather {
    unsigned left = 0;
    ClientOpResult result;
};

Console::Console(const Config& config)
    : quiet_(config.console_quiet),
      terminal_(::isatty(STDIN_FILENO) != 0 && ::isatty(STDOUT_FILENO) != 0) {
    // libedit edits UTF-8 lines only in a UTF-8 locale (before any thread starts).
    if (terminal_) std::setlocale(LC_CTYPE, "");
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::runtime_error(std::string("eventfd: ") + std::strerror(errno));
}

Console::~Console() {
    stop();
    if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Console::start(ConsoleEngine& engine) {
    engine_ = &engine;
    thread_ = std::thread([this] { loop(); });
}

void Console::stop() {
    if (!thread_.joinable()) return;
    stopping_.store(true);
    const std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    thread_.join();
}

// --- from the engine's threads ----------------------------------------------------------------

void Console::post(std::function<void()> task) {
    bool first = false;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        first = tasks_.empty();
        tasks_.push_back(std::move(task));
    }
    // One wake-up for a batch: the console's thread takes every queued task at once.
    if (first) {
        const std::uint64_t one = 1;
        (void)!::write(wake_fd_, &one, sizeof one);
    }
}

void Console::print(std::string text) {
    post([this, t = std::move(text)] { write_out(t); });
}

void Console::received(std::uint64_t id, bool text, const void* data, std::size_t size) {
    std::string line;
    format_received(line, id, text, std::string_view(static_cast<const char*>(data), size));
    print(std::move(line));
}

void Console::opened(std::uint64_t id, const std::string& peer, const std::string& resource) {
    std::string line;
    format_note(line, "#" + std::to_string(id) + " open: " + peer + " " + resource);
    print(std::move(line));
}

void Console::closed(std::uint64_t id, std::uint16_t code) {
    std::string line;
    format_note(line, "#" + std::to_string(id) + " closed: " + std::to_string(code));
    print(std::move(line));
}

// --- the console's thread ---------------------------------------------------------------------

void Console::loop() {
    if (terminal_) start_editor();
    for (;;) {
        pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
        const int n = ::poll(fds, reading_ ? 2 : 1, -1);
        if (n < 0 && errno == EINTR) continue;  // SIGINT and SIGTERM are the engine's
        if (n < 0) break;
        if (fds[0].revents) {
            std::uint64_t count = 0;
            (void)!::read(wake_fd_, &count, sizeof count);
            run_tasks();
        }
        if (stopping_.load()) break;
        if (reading_ && fds[1].revents) terminal_ ? read_terminal() : read_pipe();
    }
    run_tasks();  // the last lines, e.g. the clients closed by a shutdown
    if (terminal_) release_editor();
}

void Console::run_tasks() {
    std::vector<std::function<void()>> tasks;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        tasks.swap(tasks_);
    }
    for (auto& t : tasks) t();
}

// One read(2) of stdin, split into lines; the end of input runs what follows the last newline
// as a line of its own.
void Console::read_pipe() {
    char buf[65536];
    const ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) {
        if (n < 0) note(std::string("reading stdin failed: ") + std::strerror(errno));
        if (!partial_.empty()) on_line(std::move(partial_));
        partial_.clear();
        on_input_end();
        return;
    }
    std::size_t start = 0;
    const std::string_view chunk(buf, static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
        partial_.append(chunk.substr(start, nl - start));
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        on_line(std::move(partial_));
        partial_.clear();
        if (!reading_) return;  // /quit
    }
    partial_.append(chunk.substr(start));
}

void Console::on_input_end() {
    reading_ = false;
    if (terminal_) {
        // Ctrl-D at the console: the operator is done, as /quit.
        on_line("/quit");
        return;
    }
    // A pipe or file that ended: the server keeps serving until a signal.
    note("end of console input: serving until SIGINT or SIGTERM");
}

void Console::write_out(const std::string& text) {
    if (terminal_) {
        print_on_terminal(text);
        return;
    }
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
}

void Console::note(const std::string& text) {
    std::string line;
    format_note(line, text);
    write_out(line);
}

void Console::on_line(std::string line) {
    const ConsoleCommand c = parse_console_command(line);
    using Kind = ConsoleCommand::Kind;
    switch (c.kind) {
        case Kind::none:
            return;
        case Kind::error:
            return note(c.payload);
        case Kind::help:
            return write_out(console_help());
        case Kind::stats:
            return write_out(engine_->stats_json() + "\n");
        case Kind::quit:
            note("quitting: closing every client with 1001");
            reading_ = false;
            engine_->quit();
            return;
        case Kind::list:
            return run_op({ClientOp::Kind::list, 0, true, {}, 1000});
        case Kind::close:
            return run_op({ClientOp::Kind::close, c.id, true, c.payload, c.code});
        case Kind::text:
        case Kind::binary:
            return run_op({ClientOp::Kind::send, c.id, c.kind == Kind::text, c.payload, 1000});
        case Kind::file: {
            std::error_code ec;
            if (std::filesystem::is_directory(c.payload, ec)) {
                return note("/file " + c.payload + ": is a directory, not a file");
            }
            std::ifstream in(c.payload, std::ios::binary);
            std::ostringstream bytes;
            if (in) bytes << in.rdbuf();
            if (!in || in.bad()) {
                return note("/file " + c.payload + ": cannot read it (" + std::strerror(errno) +
                            ")");
            }
            return run_op({ClientOp::Kind::send, 0, false, bytes.str(), 1000});
        }
    }
}

void Console::run_op(ClientOp op) {
    auto shared = std::make_shared<const ClientOp>(std::move(op));
    auto gather = std::make_shared<Gather>();
    gather->left = engine_->parts();
    engine_->apply(shared, [this, shared, gather](ClientOpResult r) {
        post([this, shared, gather, r = std::move(r)]() mutable {
            gather->result.matched += r.matched;
            for (ClientRow& row : r.rows) gather->result.rows.push_back(std::move(row));
            if (--gather->left == 0) report(*shared, gather->result);
        });
    });
}

void Console::report(const ClientOp& op, ClientOpResult& result) {
    const std::string who = "#" + std::to_string(op.id);
    if (op.id != 0 && result.matched == 0) {
        note("no open client " + who + " (/list shows them)");
        return;
    }
    switch (op.kind) {
        case ClientOp::Kind::list: {
            std::string out;
            format_list(out, std::move(result.rows));
            write_out(out);
            return;
        }
        case ClientOp::Kind::send:
            note(op.id ? "sent to " + who
                       : "sent to " + std::to_string(result.matched) + " client(s)");
            return;
        case ClientOp::Kind::close:
            note((op.id ? "closing " + who
                        : "closing " + std::to_string(result.matched) + " client(s)") +
                 " with " + std::to_string(op.code));
            return;
    }
}

}  // namespace wsb::echo
