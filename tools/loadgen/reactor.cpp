// The worker's own epoll loop for plain-TCP connections (see reactor.hpp).
#include "loadgen/reactor.hpp"

#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace wsb::loadgen {

bool Reactor::available() noexcept {
    static const bool has = [] {
        const int fd = ::epoll_create1(EPOLL_CLOEXEC);
        if (fd < 0) return false;
        epoll_event ev{};
        const timespec zero{};
        const int n = ::epoll_pwait2(fd, &ev, 1, &zero, nullptr);
        // Not only ENOSYS: a seccomp filter may answer EPERM for a call it does not know.
        const bool ok = n >= 0;
        ::close(fd);
        return ok;
    }();
    return has;
}

Reactor::Reactor() : fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

Reactor::~Reactor() {
    if (fd_ >= 0) ::close(fd_);
}

bool Reactor::add(int fd, void* tag) noexcept {
    epoll_event ev{};
    // Output stays registered: an edge for it comes only after a send found the buffer full
    // (or when a connect completes), so it costs nothing while writes go through.
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = tag;
    return ::epoll_ctl(fd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

int Reactor::wait(std::int64_t timeout_ns) noexcept {
    if (timeout_ns < 0) timeout_ns = 0;
    timespec t{};
    t.tv_sec = static_cast<time_t>(timeout_ns / 1'000'000'000);
    t.tv_nsec = static_cast<long>(timeout_ns % 1'000'000'000);
    const int n =
        ::epoll_pwait2(fd_, events_.data(), static_cast<int>(events_.size()), &t, nullptr);
    return n < 0 ? 0 : n;
}

}  // namespace wsb::loadgen
