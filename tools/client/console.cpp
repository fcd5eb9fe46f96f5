// InputWatcher and PipeConsole (console.hpp).
#include "client/console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <asio/post.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace wsb::client {
namespace {

// epoll accepts pipes, sockets, terminals and other character devices with a poll method; it
// refuses regular files and /dev/null (EPERM), which never block anyway.
bool pollable(int fd) {
    struct stat st {};
    if (fstat(fd, &st) != 0) return false;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISBLK(st.st_mode)) return false;
    if (S_ISCHR(st.st_mode)) return isatty(fd) != 0;
    return true;
}

// True when `fd` has input (or its end) ready now.
bool readable_now(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

}  // namespace

InputWatcher::InputWatcher(asio::io_context& io, int fd)
    : io_(io), fd_(fd), flags_(::fcntl(fd, F_GETFL)) {
    if (pollable(fd)) descriptor_.emplace(io, fd);
}

InputWatcher::~InputWatcher() {
    if (!descriptor_) return;
    descriptor_->release();  // stdin stays open: it is not ours
    restore_flags();
}

// Asio makes a descriptor non-blocking before its first wait, but the terminal's or pipe's open
// file is shared (with the shell, with libedit's reads): it keeps the flags it came with. A
// wait never reads, so Asio needs no O_NONBLOCK for it.
void InputWatcher::restore_flags() {
    if (flags_ >= 0) ::fcntl(fd_, F_SETFL, flags_);
}

void InputWatcher::start(std::function<bool()> ready) {
    ready_ = std::move(ready);
    resume();
}

void InputWatcher::resume() {
    if (watching_ || !ready_) return;
    watching_ = true;
    ++generation_;
    wait();
}

void InputWatcher::stop() {
    watching_ = false;
    if (descriptor_) {
        asio::error_code ignored;
        descriptor_->cancel(ignored);
    }
}

void InputWatcher::wait() {
    if (!watching_) return;
    const unsigned g = generation_;
    if (!descriptor_) {
        asio::post(io_, [this, g] { on_ready({}, g); });
        return;
    }
    descriptor_->async_wait(asio::posix::stream_descriptor::wait_read,
                            [this, g](const asio::error_code& ec) { on_ready(ec, g); });
    restore_flags();
}

void InputWatcher::on_ready(const asio::error_code& ec, unsigned generation) {
    if (ec || !watching_ || generation != generation_) return;
    if (!ready_()) {
        watching_ = false;
        return;
    }
    // The reactor reports edges: input still waiting would bring no new one.
    if (descriptor_ && readable_now(fd_)) {
        asio::post(io_, [this, generation] { on_ready({}, generation); });
        return;
    }
    wait();
}

PipeConsole::PipeConsole(asio::io_context& io, const Config& config) : watcher_(io, STDIN_FILENO) {
    format_.terminal = false;
    format_.binary_as = config.binary_as;
    format_.json = config.json;
}

void PipeConsole::start_input(LineHandler line, EndHandler end) {
    line_ = std::move(line);
    end_ = std::move(end);
    watcher_.start([this] { return on_readable(); });
}

// One read(2) of stdin, split into lines; the end of input sends what follows the last newline
// as a line of its own, then calls end_.
bool PipeConsole::on_readable() {
    std::array<char, 65536> buf;
    const ssize_t n = ::read(watcher_.fd(), buf.data(), buf.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
        if (n < 0) note(std::string("reading stdin failed: ") + std::strerror(errno));
        if (!partial_.empty()) line_(std::move(partial_));
        partial_.clear();
        end_();
        return false;
    }
    std::size_t start = 0;
    const std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    for (std::size_t nl; (nl = chunk.find('\n', start)) != std::string_view::npos; start = nl + 1) {
        partial_.append(chunk.substr(start, nl - start));
        line_(std::move(partial_));
        partial_.clear();
    }
    partial_.append(chunk.substr(start));
    return true;
}

void PipeConsole::message(Direction dir, bool binary, std::string_view payload) {
    if (dir == Direction::out) return;  // stdout carries only what was received
    out_.clear();
    format_message(out_, dir, binary, payload, format_, {});
    std::fwrite(out_.data(), 1, out_.size(), stdout);
    std::fflush(stdout);
}

void PipeConsole::note(std::string_view text) {
    // One write(2) per note, so notes never interleave with another writer's lines.
    std::string line = "wsbench-client: ";
    append_escaped(line, text);
    line.push_back('\n');
    for (std::size_t done = 0; done < line.size();) {
        const ssize_t n = ::write(STDERR_FILENO, line.data() + done, line.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

}  // namespace wsb::client
