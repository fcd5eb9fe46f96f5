// AcceptBackoff: what a server's accept loop does after a failed accept, so that running out
// of file descriptors pauses accepting instead of spinning at 100 % CPU.
#pragma once

#include <chrono>
#include <cstdint>
#include <system_error>

namespace wsb::net {

/// Decides, after each failed accept(), whether to retry at once or pause. Out of descriptors
/// or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) cannot clear until a connection closes, and the
/// listener stays readable meanwhile: retrying at once fails again at once, forever. So every
/// error but the transient ones (the peer aborted, a signal) pauses accepting for `pause`, and
/// an episode of failures is logged once, when it starts. Pure: no sockets, no clock.
class AcceptBackoff {
  public:
    struct Step {
        std::chrono::milliseconds pause{0};  ///< wait this long before accepting again; 0: now
        bool log = false;                    ///< the first failure of an episode: say so
    };

    explicit AcceptBackoff(std::chrono::milliseconds pause = std::chrono::milliseconds(100))
        : pause_(pause) {}

    /// After a failed accept.
    Step on_error(const std::error_code& ec) noexcept;
    /// After a successful accept: ends the episode; returns how many accepts failed in it
    /// (0 when there was none), for a "accepting again" line.
    std::uint64_t on_accepted() noexcept;

    /// True for the errors of running out of descriptors (EMFILE, ENFILE): the log line then
    /// suggests raising the open-file limit.
    static bool out_of_descriptors(const std::error_code& ec) noexcept;

  private:
    std::chrono::milliseconds pause_;
    std::uint64_t failures_ = 0;  // in the current episode
};

}  // namespace wsb::net
