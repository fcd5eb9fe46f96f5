// AcceptBackoff: pause instead of spinning when accept() keeps failing (see accept_backoff.hpp).
#include "wsbench/net/accept_backoff.hpp"

#include <asio/error.hpp>
#include <cerrno>

namespace wsb::net {
namespace {

// An errno value: Asio reports accept() errors in its own system category.
bool is_errno(const std::error_code& ec, int value) noexcept {
    const std::error_category& c = ec.category();
    return ec.value() == value && (c == asio::error::get_system_category() ||
                                   c == std::system_category() || c == std::generic_category());
}

}  // namespace

bool AcceptBackoff::out_of_descriptors(const std::error_code& ec) noexcept {
    return is_errno(ec, EMFILE) || is_errno(ec, ENFILE);
}

AcceptBackoff::Step AcceptBackoff::on_error(const std::error_code& ec) noexcept {
    if (is_errno(ec, ECONNABORTED) || is_errno(ec, EINTR) || is_errno(ec, EAGAIN) ||
        is_errno(ec, EWOULDBLOCK)) {
        return {};  // this connection is gone or the call was interrupted: the next may work
    }
    Step s;
    s.pause = pause_;
    s.log = failures_ == 0;
    ++failures_;
    return s;
}

std::uint64_t AcceptBackoff::on_accepted() noexcept {
    const std::uint64_t n = failures_;
    failures_ = 0;
    return n;
}

}  // namespace wsb::net
