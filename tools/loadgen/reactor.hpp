// The worker's own event loop for plain-TCP connections (issue 19). Asio's reactor costs a
// message more system calls than the work needs: an epoll_ctl to re-arm every wait for input,
// a timerfd_settime per schedule pass, and each timer expiry is its own wakeup. Here every
// socket is registered once, edge-triggered, for input and output alike, and the wait's
// timeout is the next due send or tick to the nanosecond (epoll_pwait2), so a message costs its
// send, its receive and a share of one wait. wss:// keeps Asio (TLS needs its streams), and so
// does a kernel without epoll_pwait2 (Linux < 5.11).
#pragma once

#include <sys/epoll.h>

#include <array>
#include <cstdint>

namespace wsb::loadgen {

class Reactor {
  public:
    /// Whether this kernel has epoll_pwait2 (checked once).
    static bool available() noexcept;

    /// Throws std::system_error when no epoll instance can be created.
    Reactor();
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    /// Registers `fd`, edge-triggered, for input, output, errors and the peer's shutdown, with
    /// `tag` handed back in its events; false (errno set) when epoll refuses it. Closing the
    /// socket removes it.
    bool add(int fd, void* tag) noexcept;

    /// Waits at most `timeout_ns` (0: only what is ready now) and returns how many events
    /// event() holds (0 on timeout or a signal).
    int wait(std::int64_t timeout_ns) noexcept;
    const epoll_event& event(int i) const noexcept { return events_[static_cast<std::size_t>(i)]; }

  private:
    int fd_ = -1;
    std::array<epoll_event, 256> events_{};
};

}  // namespace wsb::loadgen
