// Child processes for integration tests (posix_spawn, a stdout pipe and a stderr file).
#include "process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "eventually.hpp"

extern char** environ;

namespace wsb::test {

Process::Process(std::vector<std::string> argv, Stdin in) {
    char tmpl[] = "/tmp/wsbench-test-stderr-XXXXXX";
    const int err_fd = mkstemp(tmpl);
    if (err_fd < 0) throw std::runtime_error("mkstemp failed");
    stderr_path_ = tmpl;
    int pipe_fds[2];
    if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

    int in_fds[2] = {-1, -1};
    if (in == Stdin::pipe && pipe2(in_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (in == Stdin::pipe) posix_spawn_file_actions_adddup2(&actions, in_fds[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    close(pipe_fds[1]);
    close(err_fd);
    if (in_fds[0] >= 0) close(in_fds[0]);
    stdin_fd_ = in_fds[1];
    if (rc != 0) {
        close(pipe_fds[0]);
        close_stdin();
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    stdout_fd_ = pipe_fds[0];
}

Process::~Process() {
    if (!status_ && pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        waitpid(pid_, &st, 0);
    }
    if (stdout_fd_ >= 0) close(stdout_fd_);
    close_stdin();
    if (!stderr_path_.empty()) unlink(stderr_path_.c_str());
}

Process::Read Process::read_stdout(std::chrono::steady_clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return Read::timeout;
    pollfd pfd{stdout_fd_, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) return Read::data;  // look again
    char buf[4096];
    const ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) return Read::eof;  // stdout closed: the child is gone
    out_.append(buf, static_cast<std::size_t>(n));
    return Read::data;
}

std::optional<std::string> Process::wait_for_line(const std::string& prefix,
                                                  std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        // Complete lines not yet looked at.
        for (std::size_t nl; (nl = out_.find('\n', scanned_)) != std::string::npos;) {
            std::string line = out_.substr(scanned_, nl - scanned_);
            scanned_ = nl + 1;
            if (line.rfind(prefix, 0) == 0) return line;
        }
        if (read_stdout(deadline) != Read::data) return std::nullopt;
    }
}

bool Process::read_stdout_to_eof(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const Read r = read_stdout(deadline);
        if (r != Read::data) return r == Read::eof;
    }
}

std::string Process::stderr_text() const {
    std::ifstream in(stderr_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool Process::wait_for_stderr(const std::string& needle, std::chrono::milliseconds timeout) const {
    // A file has no readiness to wait on.
    return eventually([&] { return stderr_text().find(needle) != std::string::npos; }, timeout);
}

bool Process::write_stdin(const std::string& text) {
    // A child that is gone must fail the test (EPIPE), not end it (SIGPIPE).
    std::signal(SIGPIPE, SIG_IGN);
    for (std::size_t done = 0; done < text.size();) {
        if (stdin_fd_ < 0) return false;
        const ssize_t n = ::write(stdin_fd_, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

void Process::close_stdin() {
    if (stdin_fd_ >= 0) close(stdin_fd_);
    stdin_fd_ = -1;
}

void Process::signal(int sig) {
    if (!status_) ::kill(pid_, sig);
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
    // waitpid has no timeout.
    eventually(
        [&] {
            int st = 0;
            if (status_ || waitpid(pid_, &st, WNOHANG) != pid_) return status_.has_value();
            status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            return true;
        },
        timeout);
    return status_;
}

std::string ServerAddress::url(const std::string& path) const {
    const bool v6 = host.find(':') != std::string::npos;
    return scheme + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + path;
}

std::optional<ServerAddress> wait_listening(Process& p, std::chrono::milliseconds timeout) {
    const auto line = p.wait_for_line("listening on ", timeout);
    if (!line) {
        ADD_FAILURE() << "no 'listening on' line within " << timeout.count() << " ms; stderr:\n"
                      << p.stderr_text();
        return std::nullopt;
    }
    // listening on ws://HOST:PORT
    const std::string rest = line->substr(std::strlen("listening on "));
    const auto scheme_end = rest.find("://");
    const auto colon = rest.rfind(':');
    if (scheme_end == std::string::npos || colon == std::string::npos || colon < scheme_end + 3) {
        ADD_FAILURE() << "malformed listening line: " << *line;
        return std::nullopt;
    }
    ServerAddress a;
    a.scheme = rest.substr(0, scheme_end);
    a.host = rest.substr(scheme_end + 3, colon - scheme_end - 3);
    if (!a.host.empty() && a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
    a.port = static_cast<unsigned short>(std::stoi(rest.substr(colon + 1)));
    return a;
}

std::optional<std::uint64_t> proc_status_kib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        // "VmRSS:\t   12345 kB"
        if (line.rfind(field + ":", 0) == 0) return std::stoull(line.substr(field.size() + 1));
    }
    return std::nullopt;
}

std::string tool_path(const std::string& name) { return std::string(WSBENCH_BIN_DIR) + "/" + name; }

}  // namespace wsb::test
